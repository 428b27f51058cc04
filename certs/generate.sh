#!/usr/bin/env bash
# Makes a development CA and a serving certificate for the Headstart webhook.
#
#   certs/generate.sh [OUT_DIR] [--force]
#
# Writes OUT_DIR/{ca.crt,ca.key,tls.crt,tls.key} (default: the folder of this script) and prints
# the base64 CA bundle to paste into the webhook configurations' caBundle. Existing files are
# kept unless --force is given. The serving certificate is valid for localhost, 127.0.0.1 and the
# in-cluster service names. Generated keys are never committed (see .gitignore).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here"
force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) out="$arg" ;;
  esac
done
service=${HEADSTART_SERVICE:-headstart}
namespace=${HEADSTART_NAMESPACE:-headstart-system}
days=${HEADSTART_CERT_DAYS:-825}

command -v openssl >/dev/null || { echo "certs: openssl is required (apt-get install openssl)" >&2; exit 2; }
mkdir -p "$out"

if [[ -f "$out/tls.crt" && -f "$out/tls.key" && -f "$out/ca.crt" && $force == false ]]; then
  echo "certs: keeping existing certificates in $out (use --force to replace)" >&2
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
    -subj "/CN=headstart-dev-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
  cat > "$tmp/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:${service}.${namespace}.svc,DNS:${service}.${namespace}.svc.cluster.local
EXT
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=${service}.${namespace}.svc" \
    -keyout "$tmp/tls.key" -out "$tmp/tls.csr" 2>/dev/null
  openssl x509 -req -sha256 -days "$days" -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" \
    -CAcreateserial -extfile "$tmp/ext.cnf" -out "$tmp/tls.crt" 2>/dev/null
  chmod 600 "$tmp/ca.key" "$tmp/tls.key"
  # Move into place key first, certificate last: a server watching the files never pairs a new
  # certificate with an old key for long.
  for f in ca.key ca.crt tls.key tls.crt; do mv -f "$tmp/$f" "$out/$f"; done
  echo "certs: wrote CA and serving certificate to $out" >&2
fi
base64 -w0 < "$out/ca.crt"
echo
