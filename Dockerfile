# One image for every Loa service of docker-compose.yml (api, scheduler, liquidsoap, icecast).
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ffmpeg espeak-ng liquidsoap icecast2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/loa
COPY pyproject.toml README.md ./
COPY api api
COPY studio studio
COPY tts tts
COPY playlists playlists
COPY stations stations
COPY media media
RUN pip install --no-cache-dir . \
 && useradd --system --home /var/lib/loa loa \
 && mkdir -p /var/lib/loa && chown loa /var/lib/loa

USER loa
ENV LOA_VAR_DIR=/var/lib/loa
EXPOSE 8000
CMD ["loa", "run", "--host", "0.0.0.0", "--no-demo"]
