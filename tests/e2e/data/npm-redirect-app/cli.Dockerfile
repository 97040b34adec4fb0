FROM node:20-slim
WORKDIR /app
COPY package.json server.js report.js ./
CMD ["npm", "run", "report"]
