# Slim image running `csms serve` as a non-root user.
# Build: docker build -t csms .   Run: docker run -p 9000:9000 -p 8000:8000 -v csms-data:/data csms
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY csms ./csms
COPY simulators ./simulators
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin csms \
 && mkdir -p /data && chown csms /data
COPY --from=build /install /usr/local
WORKDIR /app
COPY --chown=csms migrations ./migrations
COPY --chown=csms alembic.ini ./
USER csms
ENV CSMS_DATABASE_URL=sqlite+aiosqlite:////data/csms.db \
    PYTHONUNBUFFERED=1
EXPOSE 9000 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=2)" || exit 1
ENTRYPOINT ["csms"]
CMD ["serve"]
