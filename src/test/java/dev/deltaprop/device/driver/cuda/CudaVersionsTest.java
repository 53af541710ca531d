package dev.deltaprop.device.driver.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CudaVersionsTest {

    @Test
    void formatsDriverApiVersions() {
        assertEquals("13.0", CudaVersions.format(13000));
        assertEquals("12.6", CudaVersions.format(12060));
        assertEquals("12.10", CudaVersions.format(12100));
    }

    @Test
    void namesTheFirstDriverOfEachMajorVersion() {
        assertEquals("580", CudaVersions.minimumLinuxDriver(13000));
        assertEquals("580", CudaVersions.minimumLinuxDriver(13020));
        assertEquals("525.60.13", CudaVersions.minimumLinuxDriver(12060));
    }

    @Test
    void readsTheKernelModuleVersion() {
        assertEquals("580.95.05", CudaVersions.parseKernelModule(
                "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.95.05  Tue Sep 30 09:42:36 UTC 2025\n"
                        + "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n"));
        assertEquals("580.159.04", CudaVersions.parseKernelModule(
                "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build\n"));
        assertNull(CudaVersions.parseKernelModule("no module here"));
    }
}
