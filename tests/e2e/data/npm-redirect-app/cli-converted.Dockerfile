FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --chown=node:node package.json server.js report.js ./
USER node
CMD ["node", "report.js"]
