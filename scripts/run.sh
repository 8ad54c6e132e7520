#!/bin/sh
# run.sh: exportctl's main job for `make run`.  Creates the database with the
# bundled data if it is missing, makes sure it has an admin user, mints a
# fresh admin token, prints the URL, the token and sample curl commands, and
# runs the HTTP API server in the foreground on 127.0.0.1:8080 (Ctrl-C or
# SIGTERM stops it after in-flight requests finish).
set -eu
EXPORTCTL=$1
DB=$2
LISTEN=${EXPORTCTL_LISTEN:-127.0.0.1:8080}
x() {
    "$EXPORTCTL" --db "$DB" "$@"
}

[ -f "$DB" ] || echo "creating $DB with the bundled data"
if ! x --json user ls | grep -q '"name": "admin"'; then
    x --as admin user add admin --role admin >/dev/null
fi
TOKEN=$(x --as admin token create --user admin --label "make run" | tail -n 1 | awk '{print $NF}')
URL="http://$LISTEN"

cat <<MSG

exportctl API: $URL   (OpenAPI: $URL/v1/openapi.json; database: $DB)
admin token:   $TOKEN

Try, in another terminal:
  curl -s '$URL/v1/lists/il-cyber-marketing?at=2021-11-25'
  curl -s -H 'Authorization: Bearer $TOKEN' -H 'Content-Type: application/json' \\
       -d '{"regime":"il","item":"4D004","to":"MA","activity":"marketing","end_user_type":"government","date":"2021-11-26"}' \\
       $URL/v1/check
  curl -s -H 'Authorization: Bearer $TOKEN' -H 'Content-Type: application/json' \\
       -d '{"name":"NSO Group Technologies"}' $URL/v1/screen

The walk-through of lists, checks, licensing and the audit log: make demo
Stop the server with Ctrl-C.

MSG
exec "$EXPORTCTL" --db "$DB" serve --listen "$LISTEN"
