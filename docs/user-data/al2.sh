#!/bin/bash
# Amazon Linux 2: register with the warm-up taint unless the instance launches straight into service.
set -euo pipefail
IMDS=http://169.254.169.254/latest
# -f: an HTTP error is a failure, never a page of HTML taken for the answer.
TOKEN=$(curl -fsS -X PUT "$IMDS/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300" || true)
# Warmed:Stopped, Warmed:Running or Warmed:Hibernated when launched into the warm pool; InService otherwise.
STATE=$(curl -fsS --retry 3 -H "X-aws-ec2-metadata-token: $TOKEN" \
  "$IMDS/meta-data/autoscaling/target-lifecycle-state" || echo unknown)
KUBELET_ARGS=""
if [ "$STATE" != "InService" ]; then
  # In the pool, or unknown: tainted. Headstart removes the taint once the instance enters service.
  KUBELET_ARGS="--register-with-taints=headstart.dev/warmup=true:NoSchedule"
fi
/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args "$KUBELET_ARGS"
