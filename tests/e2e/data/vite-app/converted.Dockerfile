FROM node:18 AS build
WORKDIR /app
COPY . .
RUN npm install --no-audit --no-fund && npm run build

FROM nginx:stable
COPY nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist /usr/share/nginx/html
EXPOSE 80
