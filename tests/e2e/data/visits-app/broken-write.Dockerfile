# the app's files belong to root and the new user cannot write render/
FROM python:3.11-slim AS builder
WORKDIR /app
COPY . .

FROM python:3.11-slim
WORKDIR /app
COPY --from=builder /app /app
USER 1000
CMD ["python", "app.py", "runserver", "0.0.0.0:8000"]
