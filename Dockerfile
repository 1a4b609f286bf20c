# One image for the api, worker and scheduler services of docker-compose.yml.
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 vault
WORKDIR /srv/vault
COPY pyproject.toml README.md ./
COPY vault ./vault
COPY api ./api
COPY workers ./workers
COPY models ./models
RUN pip install --no-cache-dir .

USER vault
ENV VAULT_DATA_DIR=/var/lib/vault
EXPOSE 8000
CMD ["vault", "serve", "--host", "0.0.0.0", "--port", "8000"]
