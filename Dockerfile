# The hub's image: the API, the CLI and (with the airflow extra) the DAGs' workers.
FROM python:3.11.7-slim-bookworm
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub hub
COPY adapters adapters
COPY standards standards
COPY simulators simulators
COPY mappings mappings
COPY dags dags
RUN pip install --no-cache-dir ".[airflow]"
ENV HUB_MAPPINGS_DIR=/app/mappings HUB_VAR_DIR=/var/lib/hub
USER nobody
EXPOSE 8000
CMD ["hub", "serve", "--host", "0.0.0.0", "--port", "8000"]
