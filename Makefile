# Headstart developer targets. Everything goes through ./mvnw (Maven 3.9, downloaded on first use).
MVNW := ./mvnw -B
JAR  := target/quarkus-app/quarkus-run.jar

.PHONY: run test certs package clean

## run: build, make dev certificates if missing, and serve the webhook on https://localhost:8443
run: package certs
	java -jar $(JAR)

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
IMAGE ?= ghcr.io/headstart-dev/headstart:0.1.0
CONTAINER_ENGINE ?= docker
.PHONY: deploy undeploy image

## deploy: certificates if missing, Secret headstart-tls, then manifests/ with the CA bundle injected
deploy:
	bash manifests/deploy.sh apply

## undeploy: remove Headstart (keeps the shared PolicyReport CRDs and PriorityClass headstart-high)
undeploy:
	bash manifests/deploy.sh delete

## image: build the jar, then the JVM image (needs a container engine)
image: package
	$(CONTAINER_ENGINE) build -f src/main/docker/Dockerfile.jvm -t $(IMAGE) .

# --- Offline CLI ---
## mutate: print manifests with Headstart's changes, e.g. `make mutate F=examples/` (F: file, dir or -)
## audit: print a PolicyReport per workload; fails when a rule fails, e.g. `make audit F=app.yaml`
F ?= examples/
.PHONY: mutate audit
mutate:
	bin/headstart mutate -f $(F)

audit:
	bin/headstart audit -f $(F)

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
.PHONY: scale-bench
## scale-bench: the controller jar against a simulated EKS cluster per size in SCALE_SIZES ("100 1000 5000");
##   CONTROLLER_JAR=path/quarkus-run.jar to measure another build
scale-bench:
	bash bench/scale.sh
