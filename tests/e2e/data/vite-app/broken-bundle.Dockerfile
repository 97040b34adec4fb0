# only the page reaches nginx: its bundle is lost, and the SPA fallback answers the script and the
# stylesheet with index.html (200, text/html), which no browser runs
FROM node:18 AS build
WORKDIR /app
COPY . .
RUN npm install --no-audit --no-fund && npm run build

FROM nginx:stable
COPY nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist/index.html /app/dist/favicon.svg /usr/share/nginx/html/
EXPOSE 80
