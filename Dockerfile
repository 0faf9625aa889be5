# Forewarn production image. The steps are the Makefile's: build the wheel (`make wheel`), install
# it, serve with gunicorn (`forewarn serve`). Settings come from FOREWARN_* environment variables;
# mount your catalog and geo databases, e.g. at /data.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY webapp webapp
COPY geoip geoip
COPY templates templates
COPY catalog catalog
RUN python -m venv /opt/build \
 && /opt/build/bin/pip install --no-cache-dir "build>=1.2" \
 && /opt/build/bin/python -m build --wheel --outdir /wheels .

FROM python:3.12-slim
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin forewarn
COPY --from=build /wheels /wheels
RUN python -m venv /opt/forewarn \
 && /opt/forewarn/bin/pip install --no-cache-dir /wheels/*.whl \
 && rm -rf /wheels
ENV PATH=/opt/forewarn/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FOREWARN_CATALOG=/data/notices.toml \
    FOREWARN_GEOIP_DBS=/data/GeoLite2-City.mmdb
VOLUME ["/data"]
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/_forewarn/healthz', timeout=2)"]
CMD ["forewarn", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
