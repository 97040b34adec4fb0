FROM python:3.11-slim AS builder
WORKDIR /app
COPY . .

FROM python:3.11-slim
WORKDIR /app
COPY --from=builder --chown=1000:1000 /app /app
EXPOSE 8000
USER 1000
HEALTHCHECK --interval=30s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:8000/api/quote\", timeout=3)"]
CMD ["python", "server.py"]
