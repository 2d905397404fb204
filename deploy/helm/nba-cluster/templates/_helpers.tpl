{{/* The release's name prefix of every object: "<release>-nba-cluster", or the release name
when it already says nba-cluster. */}}
{{- define "nba-cluster.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels selecting one role's pods; called with (dict "root" $ "component" "dashboard"). */}}
{{- define "nba-cluster.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of every object; called like selectorLabels. */}}
{{- define "nba-cluster.labels" -}}
{{ include "nba-cluster.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* The image of a role; called with (dict "root" $ "tag" <the role's imageTag>). */}}
{{- define "nba-cluster.image" -}}
{{- $tag := .tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" .root.Values.image.repository $tag -}}
{{- end -}}

{{- define "nba-cluster.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "nba-cluster.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* Pod-level settings shared by every pod of the release. */}}
{{- define "nba-cluster.podSettings" -}}
serviceAccountName: {{ include "nba-cluster.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Writable places on a read-only root filesystem: /tmp and HOME (caches of the libraries),
plus the pod's extra volumes. Kedro-Viz's hooks also write run statistics to /app/.viz. */}}
{{- define "nba-cluster.volumes" -}}
- name: tmp
  emptyDir: {}
- name: home
  emptyDir: {}
- name: viz
  emptyDir: {}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "nba-cluster.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: home
  mountPath: /home/app
- name: viz
  mountPath: /app/.viz
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Container settings shared by every container: security context, volume mounts. */}}
{{- define "nba-cluster.containerSettings" -}}
imagePullPolicy: {{ .Values.image.pullPolicy }}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
volumeMounts:
  {{- include "nba-cluster.volumeMounts" . | nindent 2 }}
{{- end -}}

{{/* A variable from a key of an existing Secret. */}}
{{- define "nba-cluster.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/* Variables of the project's workloads: the Kedro environment and the bucket; `credentials`
adds the bucket's key pair ("read-write", or "read-only": storage.readOnlySecret when given),
`tracking` the MLflow server (Kedro-Viz needs neither). */}}
{{- define "nba-cluster.projectEnv" -}}
{{- $v := .root.Values -}}
- name: KEDRO_ENV
  value: {{ $v.kedroEnv | quote }}
- name: NBA_CLUSTER_STORAGE_URL
  value: {{ $v.storage.url | quote }}
{{- with $v.storage.endpointUrl }}
- name: AWS_ENDPOINT_URL_S3
  value: {{ . | quote }}
{{- end }}
{{- if .credentials }}
{{- $secret := $v.storage.existingSecret }}
{{- if and (eq .credentials "read-only") $v.storage.readOnlySecret }}
{{- $secret = $v.storage.readOnlySecret }}
{{- end }}
{{ include "nba-cluster.secretEnv" (dict "name" "AWS_ACCESS_KEY_ID" "secret" $secret "key" $v.storage.accessKeyIdKey) }}
{{ include "nba-cluster.secretEnv" (dict "name" "AWS_SECRET_ACCESS_KEY" "secret" $secret "key" $v.storage.secretAccessKeyKey) }}
{{- end }}
{{- if .tracking }}
- name: MLFLOW_TRACKING_URI
  value: {{ $v.mlflow.trackingUri | quote }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* An MLflow user as the client reads it (MLFLOW_TRACKING_USERNAME/PASSWORD). */}}
{{- define "nba-cluster.mlflowUserEnv" -}}
- name: MLFLOW_TRACKING_USERNAME
  value: {{ .username | quote }}
{{ include "nba-cluster.secretEnv" (dict "name" "MLFLOW_TRACKING_PASSWORD" "secret" .root.Values.mlflow.users.existingSecret "key" .passwordKey) }}
{{- end -}}

{{/* Everything a pipeline run needs: the project's variables with the bucket's keys, the
writer's MLflow login, and stats.nba.com's settings when set. */}}
{{- define "nba-cluster.pipelineEnv" -}}
{{- $v := .Values -}}
{{ include "nba-cluster.projectEnv" (dict "root" . "credentials" "read-write" "tracking" true) }}
{{ include "nba-cluster.mlflowUserEnv" (dict "root" . "username" $v.mlflow.users.writerUsername "passwordKey" $v.mlflow.users.writerPasswordKey) }}
{{ include "nba-cluster.secretEnv" (dict "name" "MODEL_SIGNING_KEY" "secret" $v.modelSigning.existingSecret "key" $v.modelSigning.key) }}
{{- with $v.nbaStats.baseUrl }}
- name: NBA_STATS_BASE_URL
  value: {{ . | quote }}
{{- end }}
{{- with $v.nbaStats.proxy }}
- name: NBA_API_PROXY
  value: {{ . | quote }}
{{- end }}
{{- with $v.today }}
- name: NBA_CLUSTER_TODAY
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* A pipeline run's pod: its container runs `command` (a list) with the pipeline env. */}}
{{- define "nba-cluster.pipelinePod" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "nba-cluster.selectorLabels" (dict "root" $root "component" .component) | nindent 4 }}
spec:
  restartPolicy: Never
  {{- include "nba-cluster.podSettings" $root | nindent 2 }}
  containers:
    - name: {{ .component }}
      image: {{ include "nba-cluster.image" (dict "root" $root "tag" .imageTag) }}
      command:
        {{- toYaml .command | nindent 8 }}
      env:
        {{- include "nba-cluster.pipelineEnv" $root | nindent 8 }}
      resources:
        {{- toYaml .resources | nindent 8 }}
      {{- include "nba-cluster.containerSettings" $root | nindent 6 }}
  volumes:
    {{- include "nba-cluster.volumes" $root | nindent 4 }}
{{- end -}}
