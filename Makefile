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
# overhead at idle and per full scan beside earlyoom (host) and nohang (VM test bed), ~6 min
bench:
	bench/overhead.sh
# head-to-head in the VM (bench/vm/README.md): every scenario x contender once, ~35 min on 2 cores
bench-vm:
	bench/vm/matrix.sh
clean:
	rm -rf build build-san
