FROM python:3.11-slim
WORKDIR /app
COPY . .
# the app listens on 8000: this EXPOSE is stale
EXPOSE 3000
CMD ["python", "app.py"]
