{{/*
Labels every object of a release carries on top of manifests/base's own (never on selectors or
the pod template, which a Deployment cannot change).
*/}}
{{- define "headstart.releaseLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The install namespace; manifests/base names it everywhere. */}}
{{- define "headstart.namespace" -}}headstart-system{{- end }}

{{/*
The image for a container whose manifests/base image is .image: repository, tag and digest from
the values where set, from manifests/base where not.
*/}}
{{- define "headstart.image" -}}
{{- $base := .image }}
{{- $repository := regexReplaceAll ":[^:/]*$" $base "" }}
{{- $tag := trimPrefix ":" (regexFind ":[^:/]*$" $base) }}
{{- $v := .values.image }}
{{- $repository = $v.repository | default $repository }}
{{- if $v.digest }}
{{- printf "%s@%s" $repository $v.digest }}
{{- else }}
{{- printf "%s:%s" $repository (toString ($v.tag | default $tag)) }}
{{- end }}
{{- end }}

{{/*
The serving certificate: a YAML map with caBundle, and with crt and key when the chart writes the
Secret (all base64). selfSigned reuses the Secret an earlier release wrote, so an upgrade does not
rotate the CA. Rendered once per release (a second genCA would make another CA).
*/}}
{{- define "headstart.tls" -}}
{{- $c := .Values.certificates }}
{{- if eq $c.mode "selfSigned" }}
{{- $ns := include "headstart.namespace" . }}
{{- /* Only on upgrade: an install has no earlier pair, and `helm template` no cluster to ask. */}}
{{- $data := dict }}
{{- if .Release.IsUpgrade }}
{{- $data = dig "data" (dict) (lookup "v1" "Secret" $ns "headstart-tls") }}
{{- end }}
{{- if and (index $data "ca.crt") (index $data "tls.crt") (index $data "tls.key") }}
caBundle: {{ index $data "ca.crt" }}
crt: {{ index $data "tls.crt" }}
key: {{ index $data "tls.key" }}
{{- else }}
{{- $days := int $c.selfSigned.validityDays }}
{{- $ca := genCA "headstart-ca" $days }}
{{- $names := list (printf "headstart.%s.svc" $ns) (printf "headstart.%s.svc.cluster.local" $ns) }}
{{- $cert := genSignedCert (first $names) nil $names $days $ca }}
caBundle: {{ $ca.Cert | b64enc }}
crt: {{ $cert.Cert | b64enc }}
key: {{ $cert.Key | b64enc }}
{{- end }}
{{- else if and (eq $c.mode "secret") $c.caBundle }}
caBundle: {{ $c.caBundle }}
{{- end }}
{{- end }}

{{/*
.values (the headstart: values) as application.properties lines under .prefix: nested keys joined
with dots (a key holding a dot is quoted, as SmallRye Config reads map keys), lists as comma lists,
whole numbers without an exponent.
*/}}
{{- define "headstart.properties" -}}
{{- $prefix := .prefix }}
{{- range $key, $value := .values }}
{{- $name := printf "%s.%s" $prefix (ternary (printf "\"%s\"" $key) $key (contains "." $key)) }}
{{- if kindIs "map" $value }}
{{- include "headstart.properties" (dict "prefix" $name "values" $value) }}
{{- else }}
{{- $items := list }}
{{- range $item := ($value | kindIs "slice" | ternary $value (list $value)) }}
{{- if and (kindIs "float64" $item) (eq (float64 (int64 $item)) $item) }}
{{- $items = append $items (toString (int64 $item)) }}
{{- else }}
{{- $items = append $items (toString $item) }}
{{- end }}
{{- end }}
{{ $name }}={{ join "," $items | replace "\\" "\\\\" | replace "\n" "\\n" }}
{{- end }}
{{- end }}
{{- end }}
