# A Gregor broker image. docker-compose.yml runs three of them as a cluster.
#   docker build -t gregor:local .
#   docker run -p 127.0.0.1:7070:7070 -v gregor-data:/data gregor:local
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so editing sources does not reinstall them. Install scripts stay off: lmdb
# ships prebuilt binaries, and zstd-napi's build (the one script the repository allows) serves
# clients only; the broker never decompresses, and records loads a codec on its first use.
COPY package.json package-lock.json ./
COPY packages/records/package.json packages/records/
COPY packages/kafka/package.json packages/kafka/
COPY packages/mqtt/package.json packages/mqtt/
COPY packages/console/package.json packages/console/
COPY packages/storage/package.json packages/storage/
COPY packages/proto/package.json packages/proto/
COPY packages/raft/package.json packages/raft/
COPY packages/broker/package.json packages/broker/
COPY packages/client/package.json packages/client/
COPY packages/cli/package.json packages/cli/
COPY packages/testkit/package.json packages/testkit/
RUN npm ci --ignore-scripts --no-audit --no-fund

COPY . .
RUN npm run build

# Listen on every interface inside the container; docker-compose.yml sets the id, peers and controllers.
ENV GREGOR_HOST=0.0.0.0 \
    GREGOR_PORT=7070 \
    GREGOR_DATA_DIR=/data
VOLUME /data
EXPOSE 7070 9092 1883 9644

CMD ["node", "packages/cli/dist/main.js", "broker", "start"]
