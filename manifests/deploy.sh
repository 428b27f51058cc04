#!/usr/bin/env bash
# Installs, renders or removes Headstart with certificates from certs/generate.sh.
#
#   manifests/deploy.sh apply            certificates (if missing), Secret headstart-tls, then
#                                        manifests/ with the CA bundle in both webhook configurations
#   manifests/deploy.sh render           print what `apply` would apply (no cluster needed)
#   manifests/deploy.sh delete [--purge] remove Headstart and its own PolicyReports (by label);
#                                        --purge also deletes the PriorityClass headstart-high. The
#                                        report CRDs are never deleted: other tools share them
#
# The PolicyReport CRDs are created only when absent, never applied over an existing copy: one
# that Kyverno's Helm chart (or another tool) installed stays as its owner made it.
#
# Environment: KUBECTL (default kubectl), HEADSTART_CERT_DIR (default certs/),
# HEADSTART_MANIFESTS (default manifests/, the kustomization to render), HEADSTART_IMAGE (the image
# of both containers, set by a kustomize images edit; default: what the manifests name),
# HEADSTART_SKIP_CRDS=true (leave out the PolicyReport CRDs, e.g. where Kyverno installed them).
# Relative paths resolve from the caller's directory (HEADSTART_CALLER_DIR, which make sets).
set -euo pipefail
shopt -s inherit_errexit

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
kubectl=${KUBECTL:-kubectl}
caller_dir=${HEADSTART_CALLER_DIR:-$PWD}
image=${HEADSTART_IMAGE:-}
skip_crds=${HEADSTART_SKIP_CRDS:-false}
namespace=headstart-system
# The image name in manifests/base/deployment.yaml that HEADSTART_IMAGE replaces.
placeholder_image=ghcr.io/headstart-dev/headstart

die() { echo "deploy: $*" >&2; exit 2; }

# A relative path means relative to where the user stands, not to this script or make's directory.
from_caller() { if [[ $1 == /* ]]; then printf '%s' "$1"; else printf '%s/%s' "$caller_dir" "$1"; fi; }

cert_dir=$(from_caller "${HEADSTART_CERT_DIR:-$root/certs}")
kustomization=$(from_caller "${HEADSTART_MANIFESTS:-$here}")
[[ -d $kustomization ]] || die "HEADSTART_MANIFESTS: $kustomization is not a directory (relative paths resolve from $caller_dir)"
case $skip_crds in true|false) ;; *) die "HEADSTART_SKIP_CRDS must be true or false, not '$skip_crds'" ;; esac

# kubectl has kustomize built in; a standalone kustomize works too.
kustomize_build() {
  if command -v "$kubectl" >/dev/null; then
    "$kubectl" kustomize "$1"
  elif command -v kustomize >/dev/null; then
    kustomize build "$1"
  else
    die "kubectl (or kustomize) is required"
  fi
}

# HEADSTART_IMAGE as a kustomize images edit: a throw-away kustomization on top of the one to
# render (kustomize takes only relative paths to other kustomizations, hence the ../ chain).
render_with_image() {
  local tmp up name tag digest rendered
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  tmp=$(cd "$tmp" && pwd -P)
  up=$(sed -E 's|/[^/]+|../|g' <<<"$tmp")
  name=$image tag= digest=
  if [[ $image == *@* ]]; then
    name=${image%%@*} digest=${image#*@}
  elif [[ ${image##*/} == *:* ]]; then
    name=${image%:*} tag=${image##*:}
  else
    tag=latest
  fi
  {
    echo "resources:"
    echo "  - ${up}$(cd "$kustomization" && pwd -P | sed 's|^/||')"
    echo "images:"
    echo "  - name: $placeholder_image"
    echo "    newName: $name"
    if [[ -n $tag ]]; then echo "    newTag: \"$tag\""; fi
    if [[ -n $digest ]]; then echo "    digest: $digest"; fi
  } >"$tmp/kustomization.yaml"
  # Called as $(render_with_image) || ...: errexit is off in here, so every step checks itself.
  rendered=$(kustomize_build "$tmp") || die "cannot render $kustomization with image $image (see above)"
  grep -qF "image: $image" <<<"$rendered" \
    || die "HEADSTART_IMAGE: no container in $kustomization uses $placeholder_image (does it set its own image?)"
  printf '%s\n' "$rendered"
}

render_base() {
  local rendered
  if [[ -n $image ]]; then
    rendered=$(render_with_image) || exit 2  # it said why
  else
    rendered=$(kustomize_build "$kustomization") || die "cannot render $kustomization (see above)"
  fi
  grep -qE '^kind: ' <<<"$rendered" || die "$kustomization rendered no objects"
  if [[ $skip_crds == true ]]; then
    rendered=$(drop_policy_report_crds <<<"$rendered")
  fi
  printf '%s\n' "$rendered"
}

# HEADSTART_SKIP_CRDS: the wgpolicyk8s.io CRDs stay whoever installed them (Kyverno ships them too).
drop_policy_report_crds() {
  awk 'BEGIN { RS = "\n---\n"; ORS = "\n---\n" }
    /(^|\n)kind: CustomResourceDefinition(\n|$)/ && /\n  name: [a-z]+\.wgpolicyk8s\.io(\n|$)/ { next }
    { print }'
}

# The names of the CustomResourceDefinitions in a rendered stream, one a line.
crd_names() {
  awk 'BEGIN { RS = "\n---\n" } /(^|\n)kind: CustomResourceDefinition(\n|$)/ {
      if (match($0, /\n  name: [a-z0-9.-]+/)) print substr($0, RSTART + 9, RLENGTH - 9) }'
}

# One CRD of a rendered stream, by name; everything but the CRDs.
only_crd() {
  awk -v name="$1" 'BEGIN { RS = "\n---\n"; ORS = "\n---\n" }
    /(^|\n)kind: CustomResourceDefinition(\n|$)/ && index($0, "\n  name: " name "\n") { print }'
}
drop_crds() {
  awk 'BEGIN { RS = "\n---\n"; ORS = "\n---\n" } /(^|\n)kind: CustomResourceDefinition(\n|$)/ { next } { print }'
}

# The manifests carry no caBundle (so a later apply never wipes an injected one): add it under
# every webhook's clientConfig, and check that none was missed.
render() {
  local bundle rendered webhooks injected
  rendered=$(render_base)
  bundle=$(bash "$root/certs/generate.sh" "$cert_dir" | tail -n1)
  [[ $bundle =~ ^[A-Za-z0-9+/=]+$ ]] || die "certs/generate.sh printed no CA bundle"
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
  # CRDs only when absent: applying over another tool's copy would take over its fields (and
  # Helm's next upgrade would take them back); creating one Helm later finds makes its install fail.
  local crd
  while IFS= read -r crd; do
    [[ -n $crd ]] || continue
    if "$kubectl" get crd "$crd" >/dev/null 2>&1; then
      echo "deploy: CRD $crd exists: left as its owner installed it"
    else
      only_crd "$crd" <<<"$rendered" | "$kubectl" create -f -
    fi
  done < <(crd_names <<<"$rendered")
  drop_crds <<<"$rendered" | "$kubectl" apply -f -
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
  # Headstart's own reports, by label (the rules' and the image cache's); other tools' stay.
  local kind
  for kind in policyreports.wgpolicyk8s.io reports.openreports.io; do
    if "$kubectl" get crd "$kind" >/dev/null 2>&1; then
      "$kubectl" delete "$kind" --all-namespaces -l app.kubernetes.io/managed-by=headstart --ignore-not-found
    fi
  done
  local rendered
  # Never the report CRDs: deleting one deletes every report of that kind, other tools' too.
  rendered=$(render_base | drop_crds)
  if [[ $purge == false ]]; then
    # Keep the PriorityClass headstart-high, which mutated pod templates still name (their next
    # pods would be rejected).
    rendered=$(awk 'BEGIN { RS = "\n---\n"; ORS = "\n---\n" }
      /(^|\n)kind: PriorityClass(\n|$)/ && /\n  name: headstart-high(\n|$)/ { next }
      { print }' <<<"$rendered")
  fi
  printf '%s\n' "$rendered" | "$kubectl" delete --ignore-not-found -f -
}

case "${1:-}" in
  apply) apply ;;
  render) render ;;
  delete) shift; delete "$@" ;;
  -h|--help|"") sed -n '2,18p' "${BASH_SOURCE[0]}"; [[ -n ${1:-} ]] ;;
  *) die "unknown command '$1' (apply, render or delete)" ;;
esac
