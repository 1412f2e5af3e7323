# One image for every service: the launcher's --services flag picks what a container runs.
# Build the jar first (./run.sh or: mvn -B install -DskipTests), then: docker build -t reactive-shop .
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY launcher/target/reactive-shop.jar /app/reactive-shop.jar
# Stores and NATS must be given (NATS_URL, MONGO_URI, PG_URI): a container never starts a silent embedded one.
ENV EMBEDDED=false
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 3001 3002 3003 8080
ENTRYPOINT ["java", "-jar", "/app/reactive-shop.jar"]
