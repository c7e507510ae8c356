#!/usr/bin/env bash
# Brings up the demo on localhost: installs what is missing, builds, starts the escalation server
# (SQLite file under var/) and the demo shop, and prints their URLs. Ctrl-C stops both.
#   KEFU_SHOP_PORT (default 8080), KEFU_SERVER_PORT (default 8787), KEFU_HOST (default 127.0.0.1)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
host=${KEFU_HOST:-127.0.0.1}
shop_port=${KEFU_SHOP_PORT:-8080}
server_port=${KEFU_SERVER_PORT:-8787}
case "${1:-}" in -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

./scripts/setup.sh
./scripts/build.sh

mkdir -p var
if [ ! -f var/server.json ]; then
  # A fresh random desk token per machine; the console asks for it once.
  token=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  cat > var/server.json <<JSON
{
  "listen": "$host",
  "port": $server_port,
  "db": "var/kefu.db",
  "desk_token": "$token",
  "allowed_origins": ["http://$host:$shop_port", "http://localhost:$shop_port"]
}
JSON
  echo "demo: wrote var/server.json (desk token inside)"
fi
token=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("var/server.json","utf8")).desk_token)')

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Flags override the file, so a var/server.json written for other ports still fits this run.
build/native/server/kefu-server --config var/server.json --port "$server_port" \
  --allow-origin "http://$host:$shop_port" --allow-origin "http://localhost:$shop_port" &
pids+=($!)
node scripts/serve-demo.mjs --host "$host" --port "$shop_port" --server "http://$host:$server_port" &
pids+=($!)
sleep 1

cat <<TXT

  Kefu demo is running.
    Demo shop (Global Select):  http://$host:$shop_port/
    Agent console:              http://$host:$server_port/desk   (desk token: $token)
    Escalation database:        var/kefu.db (SQLite)
  Press Ctrl-C to stop.

TXT
wait -n "${pids[@]}"
