# One image for every part: the launcher's --services flag (or SERVICES) picks what a container runs.
#   docker build -t reactive-shop:1.0.0 .        (from a clean checkout: Maven runs inside the build)
# Base images are pinned by exact tag. To pin by digest as well, resolve each tag where a registry is reachable
# (docker buildx imagetools inspect TAG) and append @sha256:... to it.

FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# The poms alone first: the layer that downloads plugins and dependencies is rebuilt only when a pom changes
# (a module added to the parent pom is added here too).
COPY pom.xml ./
COPY common/pom.xml common/
COPY nats/pom.xml nats/
COPY embedded/pom.xml embedded/
COPY test-support/pom.xml test-support/
COPY user-verticle/pom.xml user-verticle/
COPY product-verticle/pom.xml product-verticle/
COPY order-verticle/pom.xml order-verticle/
COPY gateway/pom.xml gateway/
COPY launcher/pom.xml launcher/
COPY bench/pom.xml bench/
RUN mvn -B -ntp -q -pl launcher -am -P image -Dmaven.test.skip=true clean package
# Then the sources (.dockerignore keeps target/, data/, tests and the rest out). Profile "image" lays the jars out as
# lib/ (third-party) and app/ (the project's modules) instead of one fat jar; the tests are run by CI, not here.
COPY . .
RUN mvn -B -ntp -q -pl launcher -am -P image -Dmaven.test.skip=true clean package \
 && cp launcher/target/launcher-*.jar launcher/target/image/app/

FROM eclipse-temurin:17.0.15_6-jre-noble
RUN groupadd --system --gid 10001 shop \
 && useradd --system --uid 10001 --gid shop --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin shop
WORKDIR /app
COPY docker/healthcheck /app/healthcheck
# Dependencies first: this layer changes only when a dependency does; the small app/ layer changes with the code.
COPY --from=build /src/launcher/target/image/lib/ /app/lib/
COPY --from=build /src/launcher/target/image/app/ /app/app/
# Stores and NATS must be given (NATS_URL, MONGO_URI, PG_URI): a missing one is a start failure, never a silent
# embedded server whose data would be gone with the container.
ENV EMBEDDED=false
USER 10001:10001
EXPOSE 3001 3002 3003 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["/app/healthcheck"]
# Heap and threads follow the container's memory and CPU limits (container support is on by default in Java 17);
# an OutOfMemoryError ends the process so the orchestrator restarts it. Everything written goes under /tmp, so the
# root filesystem can be read-only. JAVA_TOOL_OPTIONS adds flags without rebuilding.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:InitialRAMPercentage=25", "-XX:+ExitOnOutOfMemoryError", \
            "-Djava.io.tmpdir=/tmp", "-Dvertx.cacheDirBase=/tmp/vertx-cache", \
            "-cp", "/app/lib/*:/app/app/*", "com.reactiveshop.launcher.Main"]
