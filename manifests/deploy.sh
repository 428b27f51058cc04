#!/usr/bin/env bash
# Installs, renders or removes Headstart with certificates from certs/generate.sh.
#
#   manifests/deploy.sh apply            certificates (if missing), Secret headstart-tls, then
#                                        manifests/ with the CA bundle in both webhook configurations
#   manifests/deploy.sh render           print what `apply` would apply (no cluster needed)
#   manifests/deploy.sh delete [--purge] remove Headstart; --purge also deletes the PolicyReport
#                                        CRDs (and with them every PolicyReport, other tools' too)
#                                        and the PriorityClass headstart-high
#
# Environment: KUBECTL (default kubectl), HEADSTART_CERT_DIR (default certs/),
# HEADSTART_MANIFESTS (default manifests/, the kustomization to render).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
kubectl=${KUBECTL:-kubectl}
cert_dir=${HEADSTART_CERT_DIR:-$root/certs}
kustomization=${HEADSTART_MANIFESTS:-$here}
namespace=headstart-system

die() { echo "deploy: $*" >&2; exit 2; }

# kubectl has kustomize built in; a standalone kustomize works too.
render_base() {
  if command -v "$kubectl" >/dev/null; then
    "$kubectl" kustomize "$kustomization"
  elif command -v kustomize >/dev/null; then
    kustomize build "$kustomization"
  else
    die "kubectl (or kustomize) is required"
  fi
}

# The manifests carry no caBundle (so a later apply never wipes an injected one): add it under
# every webhook's clientConfig, and check that none was missed.
render() {
  local bundle rendered webhooks injected
  bundle=$(bash "$root/certs/generate.sh" "$cert_dir" | tail -n1)
  [[ $bundle =~ ^[A-Za-z0-9+/=]+$ ]] || die "certs/generate.sh printed no CA bundle"
  rendered=$(render_base)
  if grep -qE '^ *caBundle:|cert-manager.io/inject-ca-from' <<<"$rendered"; then
    die "$kustomization brings its own CA (caBundle or cert-manager); apply it with kubectl apply -k"
  fi
  rendered=$(sed -E "s|^( *)clientConfig:\$|&\n\1  caBundle: $bundle|" <<<"$rendered")
  webhooks=$(grep -cE '^ *clientConfig:$' <<<"$rendered" || true)
  injected=$(grep -cE "^ *caBundle: $bundle\$" <<<"$rendered" || true)
  [[ $webhooks -gt 0 && $webhooks -eq $injected ]] \
    || die "injected the CA bundle into $injected of $webhooks webhooks"
  printf '%s\n' "$rendered"
}

apply() {
  command -v "$kubectl" >/dev/null || die "kubectl is required"
  local rendered
  rendered=$(render)
  # The Secret must exist before the pods start; its namespace before the Secret.
  "$kubectl" create namespace "$namespace" --dry-run=client -o yaml | "$kubectl" apply -f -
  "$kubectl" -n "$namespace" create secret tls headstart-tls \
    --cert="$cert_dir/tls.crt" --key="$cert_dir/tls.key" --dry-run=client -o yaml | "$kubectl" apply -f -
  printf '%s\n' "$rendered" | "$kubectl" apply -f -
  "$kubectl" -n "$namespace" rollout status deployment/headstart --timeout=180s
}

delete() {
  command -v "$kubectl" >/dev/null || die "kubectl is required"
  local purge=false
  [[ ${1:-} == --purge ]] && purge=true
  # Webhooks first: from here on the API server stops calling Headstart at all.
  "$kubectl" delete mutatingwebhookconfiguration headstart --ignore-not-found
  "$kubectl" delete validatingwebhookconfiguration headstart --ignore-not-found
  # What the controller created outside its namespace (image-cache DaemonSets carry this label).
  "$kubectl" delete daemonsets --all-namespaces -l app.kubernetes.io/managed-by=headstart --ignore-not-found
  local rendered
  rendered=$(render_base)
  if [[ $purge == false ]]; then
    # Keep what outlives Headstart: the report CRDs other tools share, and the PriorityClass
    # headstart-high, which mutated pod templates still name (their next pods would be rejected).
    rendered=$(awk 'BEGIN { RS = "\n---\n"; ORS = "\n---\n" }
      /(^|\n)kind: CustomResourceDefinition(\n|$)/ { next }
      /(^|\n)kind: PriorityClass(\n|$)/ && /\n  name: headstart-high(\n|$)/ { next }
      { print }' <<<"$rendered")
  fi
  printf '%s\n' "$rendered" | "$kubectl" delete --ignore-not-found -f -
}

case "${1:-}" in
  apply) apply ;;
  render) render ;;
  delete) shift; delete "$@" ;;
  -h|--help|"") sed -n '2,12p' "${BASH_SOURCE[0]}"; [[ -n ${1:-} ]] ;;
  *) die "unknown command '$1' (apply, render or delete)" ;;
esac
