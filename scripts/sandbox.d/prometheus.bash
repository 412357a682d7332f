# Prometheus in the sandbox: sourced by scripts/sandbox (uses its variables and
# helpers: RUN, BIN_DIR, PROM_PORT, PROM_IP, KWOK_PORT, log, die, k, bin, start,
# pid_of, wait_for, render). scripts/sandbox.d/PROMETHEUS.md is the contract a
# client relies on; keep the two in step.

# prometheus_wanted: whether `up` runs Prometheus (SANDBOX_PROMETHEUS, else
# only with the seeded stories, whose history it holds).
prometheus_wanted() {
	local want=${SANDBOX_PROMETHEUS:-}
	[[ -n $want ]] || { [[ ${SANDBOX_SEED:-1} == 0 ]] && want=0 || want=1; }
	[[ $want == 1 ]]
}

# prometheus_module_version: the github.com/prometheus/prometheus version
# tools/prometheus pins; prometheus_version: its release (3.x is module
# v0.3xx.y: v0.316.0 is 3.16.0).
prometheus_module_version() {
	awk '$1 == "github.com/prometheus/prometheus" { print $2; exit }' "$ROOT/tools/prometheus/go.mod"
}
prometheus_version() {
	local v
	v=$(prometheus_module_version)
	[[ $v =~ ^v0\.([0-9])([0-9]{2})\.([0-9]+)$ ]] || die "cannot read the Prometheus version from tools/prometheus/go.mod ($v)"
	echo "v${BASH_REMATCH[1]}.$((10#${BASH_REMATCH[2]})).${BASH_REMATCH[3]}"
}

# make_prometheus_config: scrape kwok's simulated kubelets at the path a real
# kubelet serves cAdvisor's series on, labelled as the history is
# (job, instance and node: the node, metrics_path), and Prometheus itself.
make_prometheus_config() {
	local node nodes
	nodes=$(k get nodes -l type=kwok -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
	[[ -n $nodes ]] || die "no kwok nodes to scrape"
	{
		cat <<-EOF
			# Written by scripts/sandbox at each start of Prometheus.
			global:
			  scrape_interval: 15s
			  evaluation_interval: 1m
			scrape_configs:
			- job_name: prometheus
			  static_configs:
			  - targets: ["127.0.0.1:$PROM_PORT"]
			- job_name: kubelet
			  static_configs:
		EOF
		for node in $nodes; do
			cat <<-EOF
				  - targets: ["127.0.0.1:$KWOK_PORT"]
				    labels:
				      __metrics_path__: /metrics/nodes/$node/metrics/cadvisor
				      metrics_path: /metrics/cadvisor
				      instance: $node
				      node: $node
			EOF
		done
	} >"$RUN/prometheus.yml"
}

# make_prometheus_history: eight days of the seeded stories, generated from
# internal/scenario (test/promhistory) as OpenMetrics and written as TSDB
# blocks, once per sandbox: they end before Prometheus starts, so the live
# head begins after them. Without the seed (SANDBOX_SEED=0) there is none.
make_prometheus_history() {
	local d=$RUN/prometheus t0=$SECONDS
	[[ -d $d ]] && return 0
	rm -rf "$d.tmp"
	mkdir -p "$d.tmp"
	if [[ ${SANDBOX_SEED:-1} != 0 ]]; then
		"$RUN/sandboxseed" --kubeconfig "$RUN/kubeconfig" --openmetrics "$RUN/history.om" >>"$RUN/seed.log" 2>&1 ||
			{ tail -n 20 "$RUN/seed.log" >&2; die "writing the Prometheus history failed (log: $RUN/seed.log)"; }
		local t1=$SECONDS
		# promtool reads the whole file once per block: blocks of 486h (a
		# compaction range) hold the eight days in one or two.
		"$(bin promtool)" tsdb create-blocks-from openmetrics --quiet --max-block-duration=486h \
			"$RUN/history.om" "$d.tmp" >>"$RUN/prometheus.log" 2>&1 ||
			{ tail -n 20 "$RUN/prometheus.log" >&2; die "promtool could not write the history blocks (log: $RUN/prometheus.log)"; }
		rm -f "$RUN/history.om"
		log "Prometheus history: 8 days of the seeded stories (generated in $((t1 - t0))s, blocks in $((SECONDS - t1))s)"
	fi
	mv "$d.tmp" "$d"
}

start_prometheus() {
	[[ -z $(pid_of prometheus) ]] || return 0
	make_prometheus_config
	make_prometheus_history
	local listen=(--web.listen-address="127.0.0.1:$PROM_PORT")
	if add_prometheus_ip; then listen+=(--web.listen-address="$PROM_IP:$PROM_PORT"); fi
	start prometheus --config.file="$RUN/prometheus.yml" --storage.tsdb.path="$RUN/prometheus" \
		--storage.tsdb.retention.time=30d "${listen[@]}" --log.level=warn
}

# add_prometheus_ip: put PROM_IP on lo, for the service proxy (needs root and
# iproute2); remembered in run/prometheus-ip so that `down` takes it away.
add_prometheus_ip() {
	if ip -4 -o addr show dev lo 2>/dev/null | grep -qw "$PROM_IP/32"; then return 0; fi
	if ip addr add "$PROM_IP/32" dev lo 2>"$RUN/prometheus-ip.err"; then
		echo "$PROM_IP" >"$RUN/prometheus-ip"
		return 0
	fi
	log "cannot add $PROM_IP to lo ($(head -n 1 "$RUN/prometheus-ip.err")): Prometheus is not reachable through the service proxy"
	return 1
}

remove_prometheus_ip() {
	[[ -f $RUN/prometheus-ip ]] || return 0
	ip addr del "$(<"$RUN/prometheus-ip")/32" dev lo 2>/dev/null || true
	rm -f "$RUN/prometheus-ip"
}

# apply_prometheus_objects: Service monitoring/prometheus-operated and what
# makes the service proxy reach Prometheus (scripts/sandbox.d/cluster/prometheus.yaml).
apply_prometheus_objects() {
	[[ -f $RUN/prometheus-ip ]] || ip -4 -o addr show dev lo 2>/dev/null | grep -qw "$PROM_IP/32" || return 0
	render "$DATA/cluster/prometheus.yaml" -e "s|@PROM_PORT@|$PROM_PORT|g" -e "s|@PROM_IP@|$PROM_IP|g" \
		-e "s|@PROM_VERSION@|$(prometheus_version)|g" | k apply -f - >/dev/null
	local now; now=$(date -u +%FT%TZ)
	k -n monitoring patch pod prometheus-sandbox-0 --subresource=status --type=merge -p "$(
		cat <<-EOF
			{"status": {"phase": "Running", "podIP": "$PROM_IP", "podIPs": [{"ip": "$PROM_IP"}],
			 "hostIP": "127.0.0.1", "hostIPs": [{"ip": "127.0.0.1"}], "startTime": "$now",
			 "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": "$now"},
			                {"type": "Initialized", "status": "True", "lastTransitionTime": "$now"},
			                {"type": "ContainersReady", "status": "True", "lastTransitionTime": "$now"},
			                {"type": "Ready", "status": "True", "lastTransitionTime": "$now"}],
			 "containerStatuses": [{"name": "prometheus", "ready": true, "started": true, "restartCount": 0,
			   "image": "quay.io/prometheus/prometheus:$(prometheus_version)", "imageID": "",
			   "state": {"running": {"startedAt": "$now"}}}]}}
		EOF
	)" >/dev/null
}

# prometheus_proxy_path: where a client finds Prometheus through the API server.
PROM_PROXY_PATH=/api/v1/namespaces/monitoring/services/prometheus-operated:web/proxy

# prometheus_answers_through_proxy: a PromQL query answered through the service proxy.
prometheus_answers_through_proxy() {
	k get --raw "$PROM_PROXY_PATH/api/v1/query?query=up" 2>/dev/null | grep -q '"status":"success"'
}

# prometheus_up: start Prometheus and its Service; wait until it answers.
prometheus_up() {
	prometheus_wanted || return 0
	start_prometheus
	wait_for "Prometheus" 60 prometheus http_ok "http://127.0.0.1:$PROM_PORT/-/ready"
	apply_prometheus_objects
	if [[ -f $RUN/prometheus-ip ]]; then
		wait_for "Prometheus through the service proxy" 30 prometheus prometheus_answers_through_proxy
	fi
}

# prometheus_status: status lines; fails when Prometheus should run and does not answer.
prometheus_status() {
	[[ -d $RUN/prometheus ]] || { echo "Prometheus                not started (SANDBOX_PROMETHEUS=0 or not seeded)"; return 0; }
	local pid; pid=$(pid_of prometheus)
	if [[ -n $pid ]]; then printf '%-25s running  pid %s\n' prometheus "$pid"; else printf '%-25s STOPPED\n' prometheus; fi
	if http_ok "http://127.0.0.1:$PROM_PORT/-/ready"; then
		echo "Prometheus                http://127.0.0.1:$PROM_PORT ready"
	else
		echo "Prometheus                http://127.0.0.1:$PROM_PORT NOT answering"
		return 3
	fi
	if prometheus_answers_through_proxy; then
		echo "Prometheus (API server)   $PROM_PROXY_PATH/ answers"
	else
		echo "Prometheus (API server)   $PROM_PROXY_PATH/ NOT answering"
		return 3
	fi
}
