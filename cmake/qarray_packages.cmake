# The packages every qarray library links (Debian packages; DESIGN.md §8). Included by the
# top-level CMakeLists.txt and by the on-demand RTL variant project (sim/cosim/ondemand/), which
# links the exported libraries and must find the same imported targets.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
find_package(Threads REQUIRED)
