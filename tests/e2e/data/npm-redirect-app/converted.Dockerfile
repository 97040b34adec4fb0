FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --chown=node:node package.json server.js report.js ./
USER node
EXPOSE 3000
CMD ["node", "server.js"]
