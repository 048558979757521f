#!/usr/bin/env sh
# The proxy container: fill in the three addresses of docker/proxy/nginx.conf, then run nginx in
# the foreground with /srv/proxy as its prefix (media/, static/, cache/, temp/).
set -eu
envsubst '${PROXY_LISTEN} ${PURGE_LISTEN} ${UPSTREAM}' </etc/icmec/nginx.conf >/srv/proxy/nginx.conf
nginx -t -q -p /srv/proxy/ -c nginx.conf
exec nginx -p /srv/proxy/ -c nginx.conf -g 'daemon off;'
