# syntax=docker/dockerfile:1
#
# The traffic simulator (simulator module, main class dev.tierscope.simulator.cli.SimulatorCommand,
# a picocli command line): sends always-on AI traffic with tier faults as real OTLP to an ingest.
# docker-compose.yml runs it in demo mode against the ingest service; `--help` lists the options.
#
# Build from the repository root: docker build -f docker/simulator.Dockerfile .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true -pl simulator -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system tierscope \
    && useradd --system --gid tierscope --home-dir /opt/tierscope tierscope \
    && mkdir -p /opt/tierscope \
    && chown tierscope:tierscope /opt/tierscope
WORKDIR /opt/tierscope
COPY --from=build /src/simulator/target/lib/ /opt/tierscope/lib/
COPY --from=build /src/simulator/target/tierscope-simulator.jar /opt/tierscope/tierscope-simulator.jar
USER tierscope
ENTRYPOINT ["java", "-jar", "/opt/tierscope/tierscope-simulator.jar"]
CMD ["--help"]
