# syntax=docker/dockerfile:1
#
# The Tierscope production image: the launcher (launcher/target/tierscope.jar with its lib/ folder)
# that runs one deployable per container, chosen by the command (see docker-compose.yml):
#
#   docker run ... tierscope ingest       # OTLP/HTTP :4318, OTLP/gRPC :4317 -> Kafka
#   docker run ... tierscope aggregator   # Kafka -> PostgreSQL, actuator on :8081
#   docker run ... tierscope api          # REST API :8080
#   docker run ... tierscope validate /path/to/tierscope-slo.yaml
#
# Each reads its own tierscope-<app>.properties; Kafka and PostgreSQL come from the environment
# (SPRING_KAFKA_BOOTSTRAP_SERVERS, SPRING_DATASOURCE_URL/USERNAME/PASSWORD, TIERSCOPE_*). The image
# carries no Kafka broker, Scala, embedded PostgreSQL or simulator: the all-in-one quick start
# (server/target/tierscope-server.jar) is for a development machine, not for this image.
#
# Build from the repository root: docker build -f docker/tierscope.Dockerfile .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# Only the launcher and the modules it needs; tests and the format check run in CI, not here. The
# Maven repository is a build cache, used by one build at a time (compose builds this file for
# three services).
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true -pl launcher -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system tierscope \
    && useradd --system --gid tierscope --home-dir /opt/tierscope tierscope \
    && mkdir -p /opt/tierscope \
    && chown tierscope:tierscope /opt/tierscope
WORKDIR /opt/tierscope
# The jar's manifest puts lib/*.jar on the class path: keep lib/ next to it.
COPY --from=build /src/launcher/target/lib/ /opt/tierscope/lib/
COPY --from=build /src/launcher/target/tierscope.jar /opt/tierscope/tierscope.jar
USER tierscope
# OTLP/gRPC, OTLP/HTTP (ingest), REST API (api), actuator (aggregator)
EXPOSE 4317 4318 8080 8081
ENTRYPOINT ["java", "-jar", "/opt/tierscope/tierscope.jar"]
