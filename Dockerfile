# idpass relay in a container (not built by the test suite). Mount a volume at /data for the
# database; the platform's PORT is honoured; set IDPASS_RELAY_ADMIN_TOKEN and IDPASS_RELAY_PUBLIC_URL.
# Build dist/ first (npm ci && npm run build), then: docker build -t idpass-relay .
FROM node:24-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY bin ./bin
COPY dist ./dist
COPY fixtures ./fixtures
RUN npm ci --omit=dev --omit=optional --ignore-scripts
RUN mkdir -p /data && chown node:node /data
ENV IDPASS_HOME=/data NODE_ENV=production
VOLUME /data
USER node
EXPOSE 8080
CMD ["node", "bin/idpass.js", "relay", "serve", "--host", "0.0.0.0"]
