#!/bin/sh
# The official image's start-up behaviour, reduced to what nba-cluster uses: when the command
# is nginx, every *.template under NGINX_ENVSUBST_TEMPLATE_DIR (/etc/nginx/templates) is
# rendered with envsubst into NGINX_ENVSUBST_OUTPUT_DIR (/etc/nginx/conf.d), filling in only
# the environment variables whose names match NGINX_ENVSUBST_FILTER (all when unset), so
# nginx's own $variables are kept.
set -eu

if [ "${1:-}" = nginx ]; then
  template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
  suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
  output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
  filter="${NGINX_ENVSUBST_FILTER:-}"
  if [ -d "$template_dir" ]; then
    if [ ! -w "$output_dir" ]; then
      echo "$0: ERROR: $template_dir exists, but $output_dir is not writable" >&2
    else
      defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" </dev/null))
      find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
        relative_path="${template#"$template_dir/"}"
        output_path="$output_dir/${relative_path%"$suffix"}"
        mkdir -p "$(dirname "$output_path")"
        echo "$0: Running envsubst on $template to $output_path"
        envsubst "$defined_envs" <"$template" >"$output_path"
      done
    fi
  fi
fi

exec "$@"
