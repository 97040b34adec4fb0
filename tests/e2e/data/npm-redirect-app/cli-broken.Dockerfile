# the conversion changed what the command prints: a real difference
FROM node:20-slim
ENV NODE_ENV=production TOTAL=41
WORKDIR /app
COPY --chown=node:node package.json server.js report.js ./
USER node
CMD ["node", "report.js"]
