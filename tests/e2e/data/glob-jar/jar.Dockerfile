# builds the SNAPSHOT jar the test puts in build/libs/ (the app's CI would)
FROM eclipse-temurin:17-jdk
WORKDIR /src
COPY src ./src
RUN mkdir -p classes build/libs && javac -d classes src/billing/Main.java \
 && jar --create --file build/libs/billing-0.3.0-SNAPSHOT.jar --main-class billing.Main -C classes .
