# syntax=docker/dockerfile:1
#
# Grafana for Tierscope, ready for an air-gapped install: the Infinity data source plugin (which
# the dashboards use to read the Tierscope REST API) is installed here, at build time and at a
# pinned version, instead of being downloaded when the container starts. At run time Grafana
# fetches nothing: plugin preinstalls, update checks and usage reporting are off.
#
# Build from the repository root: docker build -f docker/grafana.Dockerfile docker
# docker-compose.yml builds it for the grafana service and mounts the provisioning and dashboards.

FROM grafana/grafana:12.1.0

ARG INFINITY_VERSION=3.4.0

# Outside /var/lib/grafana, which compose keeps in a volume: a volume from an older run would hide
# plugins installed there.
ENV GF_PATHS_PLUGINS=/opt/tierscope/grafana-plugins

USER root
RUN mkdir -p "${GF_PATHS_PLUGINS}" \
    && grafana cli --pluginsDir "${GF_PATHS_PLUGINS}" plugins install yesoreyeram-infinity-datasource "${INFINITY_VERSION}" \
    && chown -R 472:0 "${GF_PATHS_PLUGINS}"
USER 472

ENV GF_PLUGINS_PREINSTALL_DISABLED=true \
    GF_ANALYTICS_CHECK_FOR_UPDATES=false \
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES=false \
    GF_ANALYTICS_REPORTING_ENABLED=false \
    GF_NEWS_NEWS_FEED_ENABLED=false
