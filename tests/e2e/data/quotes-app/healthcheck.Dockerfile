FROM python:3.11-slim
WORKDIR /app
COPY . .
EXPOSE 8000
HEALTHCHECK --interval=30s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:8000/api/quote\", timeout=3)"]
CMD ["python", "server.py"]
