FROM node:18
WORKDIR /app
COPY . .
# the page still names a stylesheet that an older build made and this one no longer does
RUN sed -i 's#</head>#<link rel="stylesheet" href="/assets/retired.css"></head>#' index.html
RUN npm install --no-audit --no-fund
EXPOSE 5173
CMD ["npm", "run", "dev"]
