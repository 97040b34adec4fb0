# a conversion that changes what the app says on its front page: still a difference
FROM python:3.11-slim
WORKDIR /app
COPY app.py .
ENV SHOP_MODE=tuned
EXPOSE 8000
CMD ["python", "app.py"]
