# the conversion changed where / sends the client: a real difference
FROM node:20-slim
ENV NODE_ENV=production HOME_PATH=/start
WORKDIR /app
COPY --chown=node:node package.json server.js report.js ./
USER node
EXPOSE 3000
CMD ["node", "server.js"]
