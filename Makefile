# Headstart developer targets. Everything goes through ./mvnw (Maven 3.9, downloaded on first use).
MVNW := ./mvnw -B
JAR  := target/quarkus-app/quarkus-run.jar

.PHONY: run test certs package clean

# Where `make run` listens: loopback only, as the README says. `make run HOST=0.0.0.0` for every interface.
HOST ?= 127.0.0.1
# The sources the jar is built from: `make run` rebuilds only when one of them changed.
SOURCES := pom.xml $(shell find src/main -type f 2>/dev/null)

## run: build if sources changed, make dev certificates if missing, serve https://localhost:8443 (HOST=127.0.0.1)
# Ctrl-C (SIGINT, exit 130) and SIGTERM (143) are how a server is meant to stop, not a make error: the
# recipe's shell outlives the signal (a trap, not an ignore, so java still gets it) and exits 0.
run: $(JAR) certs/tls.crt
	@echo "headstart: serving on $(HOST) (make run HOST=0.0.0.0 for every interface); Ctrl-C stops" >&2
	@trap : INT TERM; java -Dquarkus.http.host=$(HOST) -Dquarkus.management.host=$(HOST) -jar $(JAR); \
	  rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 130 ] || [ $$rc -eq 143 ] || exit $$rc

# Build output goes to stderr, so `make mutate > out.yaml` holds manifests only.
$(JAR): $(SOURCES)
	@echo "headstart: building $@ (sources changed)" >&2
	@$(MVNW) -q package -DskipTests >&2
	@touch $@

# The certificates `make run` needs, made once and quietly (`make certs` prints the CA bundle).
certs/tls.crt:
	@bash certs/generate.sh certs >/dev/null

## test: the full test suite (the command CI runs)
test:
	$(MVNW) verify

## certs: development CA and serving certificate in certs/ (prints the base64 CA bundle)
certs:
	bash certs/generate.sh certs

## package: build the runnable jar without running tests
package:
	$(MVNW) -q package -DskipTests

clean:
	$(MVNW) -q clean

# --- Install (manifests/) and image ---
# IMAGE names the image everywhere: `make image IMAGE=…` builds it, `make deploy IMAGE=…` installs it
# (a kustomize images edit). Unset, `make deploy` keeps the image the manifests (or your overlay) name.
IMAGE ?= ghcr.io/headstart-dev/headstart:0.1.0
CONTAINER_ENGINE ?= docker
# SKIP_CRDS=true: leave out the PolicyReport CRDs (where Kyverno or another tool installed them).
SKIP_CRDS ?= $(or $(HEADSTART_SKIP_CRDS),false)
# Where the user stands (make -C changes directory): relative HEADSTART_MANIFESTS resolve from here.
CALLER_DIR := $(or $(PWD),$(CURDIR))
DEPLOY_ENV = HEADSTART_CALLER_DIR='$(CALLER_DIR)' HEADSTART_SKIP_CRDS='$(SKIP_CRDS)' \
  $(if $(filter file,$(origin IMAGE)),,HEADSTART_IMAGE='$(IMAGE)')
.PHONY: deploy undeploy image

## deploy: certificates if missing, Secret headstart-tls, then manifests/ with the CA bundle injected
deploy:
	$(DEPLOY_ENV) bash manifests/deploy.sh apply

## undeploy: remove Headstart (keeps the shared PolicyReport CRDs and PriorityClass headstart-high)
undeploy:
	$(DEPLOY_ENV) bash manifests/deploy.sh delete

## image: build the jar, then the JVM image (needs a container engine)
image: package
	$(CONTAINER_ENGINE) build -f src/main/docker/Dockerfile.jvm -t $(IMAGE) .

# --- Helm chart (charts/headstart) ---
# The chart renders manifests/base: its files/, crds/, appVersion and the headstart.* part of
# values.schema.json are generated from manifests/ and HeadstartConfig by ChartSources (test code,
# run through exec:java with the test classpath). ChartSourcesTest fails while they are stale.
CHART_TOOL = $(MVNW) -q test-compile exec:java -Dexec.mainClass=dev.headstart.manifests.ChartSources -Dexec.classpathScope=test
CHART_DIR ?= target/charts
.PHONY: chart chart-sync

## chart-sync: regenerate the generated part of charts/headstart after a change to manifests/ or HeadstartConfig
chart-sync:
	$(CHART_TOOL) -Dchart.command=sync

## chart: helm lint --strict and helm package charts/headstart into CHART_DIR (target/charts); fails when stale
chart:
	$(CHART_TOOL) -Dchart.command=package -Dchart.destination=$(CHART_DIR)

# --- Offline CLI ---
## mutate: print manifests with Headstart's changes, e.g. `make mutate F=examples/ > out.yaml` (F: file, dir or -)
## audit: print a PolicyReport per workload; fails when a rule fails, e.g. `make audit F=app.yaml`
# Recipes are silent (@): stdout carries only the CLI's output. make turns every failing exit into its
# own 2 and names the CLI's code in "Error 1" (a rule fails) or "Error 2" (bad input, nothing to
# audit); a CI gate that needs the code itself runs bin/headstart audit.
F ?= examples/
.PHONY: mutate audit
mutate: $(JAR)
	@bin/headstart mutate -f $(F)

audit: $(JAR)
	@bin/headstart audit -f $(F)

# --- Performance and reliability (BENCHMARKS.md) ---
.PHONY: bench jmh soak
JMH_ARGS ?= -f 1 -wi 2 -i 3 -w 1s -r 1s

## bench: load benchmark of the packaged jar on loopback with wrk (figures for BENCHMARKS.md)
bench:
	bash bench/run.sh

## jmh: microbenchmarks of the rule engine and the admission path (JMH_ARGS to change the run)
jmh:
	$(MVNW) -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath
	java -cp target/test-classes:target/classes:$$(cat target/jmh.classpath) org.openjdk.jmh.Main $(JMH_ARGS) dev.headstart.bench

## soak: 10 minutes of mixed load (SOAK_SECONDS), then SIGTERM and certificate rotation under load
soak:
	bash bench/soak.sh
	bash bench/restart.sh
	bash bench/rotate.sh

# --- The controller at cluster scale (BENCHMARKS.md, "Controller at scale") ---
.PHONY: dump-bench
## dump-bench: the CLI on generated 100 MiB and 1 GiB kubectl dumps (JSON, YAML) in a 256 MiB heap:
## time, peak RSS and heap per run (DUMP_SIZES, DUMP_FORMATS, DUMP_COMMANDS, DUMP_HEAP to change it)
dump-bench:
	bash bench/dumps.sh

.PHONY: scale-bench
## scale-bench: the controller jar against a simulated EKS cluster per size in SCALE_SIZES ("100 1000 5000");
##   CONTROLLER_JAR=path/quarkus-run.jar to measure another build
scale-bench:
	bash bench/scale.sh
