# Convenience targets over the scripts in scripts/ and bench/ (the scripts are the source of truth).
.PHONY: all deps run test bench bench-vm clean
all:
	scripts/build.sh build
deps:
	scripts/install-deps.sh
run:
	scripts/run.sh
test:
	scripts/test.sh
bench:
	bench/idle.sh
# head-to-head in the VM (bench/vm/README.md): every scenario x contender once, ~35 min on 2 cores
bench-vm:
	bench/vm/matrix.sh
clean:
	rm -rf build build-san
