FROM node:18 AS build
WORKDIR /app
COPY . .
# the page still names a stylesheet that an older build made and this one no longer does
RUN sed -i 's#</head>#<link rel="stylesheet" href="/assets/retired.css"></head>#' index.html
RUN npm install --no-audit --no-fund && npm run build

FROM nginx:stable
COPY nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist /usr/share/nginx/html
EXPOSE 80
