// SPDX-License-Identifier: MIT
/*
 * libchip from C++, built from the installed headers and library only:
 * chip.h and the uAPI headers compile as C++, and a device round trip
 * (malloc, copy to, copy from, free) works on argv[1] (default a2a3sim).
 */
#include <cstdio>
#include <cstring>
#include <vector>
#include <chip/chip.h>
#include <chip/uapi/drm/chip_accel.h>

int main(int argc, char **argv)
{
	const char *plat = argc > 1 ? argv[1] : "a2a3sim";
	std::vector<unsigned char> in(1 << 16), out(in.size());
	struct chip_open_opts opts = {};
	struct chip_info info = {};
	struct chip_dev *dev = nullptr;
	uint64_t addr = 0;
	int rc;

	for (size_t i = 0; i < in.size(); i++)
		in[i] = static_cast<unsigned char>(i * 7);
	opts.sz = sizeof(opts);
	rc = chip_open(plat, &opts, &dev);
	if (rc) {
		std::fprintf(stderr, "chip_open: %s\n", chip_last_error());
		return 1;
	}
	rc = chip_info(dev, &info);
	if (!rc)
		rc = chip_malloc(dev, in.size(), &addr);
	if (!rc)
		rc = chip_copy_to(dev, addr, in.data(), in.size());
	if (!rc)
		rc = chip_copy_from(dev, out.data(), addr, out.size());
	if (!rc)
		rc = chip_free(dev, addr);
	chip_close(dev);
	if (rc || in != out || chip_version(nullptr, nullptr, nullptr) != CHIP_VERSION) {
		std::fprintf(stderr, "C++: rc %d, %s\n", rc,
			     in == out ? "same bytes" : "bytes differ");
		return 1;
	}
	std::printf("C++: %s, %llu bytes round trip, DRM_CHIP_MAX_STORES %d\n",
		    info.name, static_cast<unsigned long long>(in.size()),
		    static_cast<int>(DRM_CHIP_MAX_STORES));
	return 0;
}
