FROM python:3.11-slim AS builder
WORKDIR /app
COPY . .

FROM python:3.11-slim
WORKDIR /app
COPY --from=builder --chown=1000:1000 /app /app
EXPOSE 3000
USER 1000
CMD ["python", "app.py"]
