# Forewarn production image. The steps are the Makefile's: build the wheel (`make wheel`), install
# it, serve with gunicorn (`forewarn serve`). Settings come from FOREWARN_* environment variables;
# the catalog and the geo database live in the /data volume (docs/deploying.md, "Docker": from
# `docker build` to a page with a notice). tests/test_packaging.py runs these steps, this
# environment, CMD and HEALTHCHECK from the built wheel in a fresh virtual environment.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md LICENSE ./
COPY webapp webapp
COPY geoip geoip
COPY templates templates
COPY catalog catalog
RUN python -m venv /opt/build \
 && /opt/build/bin/pip install --no-cache-dir "build>=1.2" \
 && /opt/build/bin/python -m build --wheel --outdir /wheels .

FROM python:3.12-slim
# /data belongs to the user the server runs as, so that a new volume mounted there does too and
# `forewarn geoip fetch --dest /data` can write into it.
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin forewarn \
 && install -d -o 10001 -g 10001 /data
COPY --from=build /wheels /wheels
COPY scripts/licences.py /tmp/licences.py
# The licences of everything the image's Python environment carries, in /opt/forewarn/licences
# (Python's own and Debian's are where those put them: /usr/local/lib/python3.12/LICENSE.txt,
# /usr/share/doc/*/copyright).
RUN python -m venv /opt/forewarn \
 && /opt/forewarn/bin/pip install --no-cache-dir /wheels/*.whl \
 && /opt/forewarn/bin/python /tmp/licences.py /opt/forewarn/licences \
 && rm -rf /wheels /tmp/licences.py
# FOREWARN_GEOIP_DBS names the file `forewarn geoip fetch --source dbip-lite --dest /data` writes
# (DB-IP City Lite: regions included, no account or npm needed).
ENV PATH=/opt/forewarn/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FOREWARN_CATALOG=/data/notices.toml \
    FOREWARN_GEOIP_DBS=/data/dbip-city-lite.mmdb
VOLUME ["/data"]
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/_forewarn/healthz', timeout=2)"]
CMD ["forewarn", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
