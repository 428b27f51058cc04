#!/bin/bash
# Amazon Linux 2023: a NodeConfig drop-in that nodeadm-run merges into the user data's NodeConfig.
set -euo pipefail
IMDS=http://169.254.169.254/latest
# -f: an HTTP error is a failure, never a page of HTML taken for the answer.
TOKEN=$(curl -fsS -X PUT "$IMDS/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300" || true)
# Warmed:Stopped, Warmed:Running or Warmed:Hibernated when launched into the warm pool; InService otherwise.
STATE=$(curl -fsS --retry 3 -H "X-aws-ec2-metadata-token: $TOKEN" \
  "$IMDS/meta-data/autoscaling/target-lifecycle-state" || echo unknown)
if [ "$STATE" != "InService" ]; then
  # In the pool, or unknown: tainted. Headstart removes the taint once the instance enters service.
  mkdir -p /etc/eks/nodeadm.d
  cat > /etc/eks/nodeadm.d/50-headstart-warmup.yaml <<'YAML'
---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  kubelet:
    flags:
      - --register-with-taints=headstart.dev/warmup=true:NoSchedule
YAML
fi
