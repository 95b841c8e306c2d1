package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IdMappingTest {
    private static final IdMapping.Range ROOT_ONLY = new IdMapping.Range(0, 1001, 1);
    private static final IdMapping.Range SUBIDS = new IdMapping.Range(1, 100000, 65536);

    @Test
    void single_mapsOnlyRoot() {
        IdMapping m = new IdMapping(List.of(ROOT_ONLY), List.of(ROOT_ONLY), false);
        assertThat(m.isSingle()).isTrue();
        assertThat(m.isInitial()).isFalse();
        assertThat(m.mapsUid(0)).isTrue();
        assertThat(m.mapsUid(1000)).isFalse();
    }

    @Test
    void range_mapsUpTo65536() {
        IdMapping m = new IdMapping(List.of(ROOT_ONLY, SUBIDS), List.of(ROOT_ONLY, SUBIDS), true);
        assertThat(m.isSingle()).isFalse();
        assertThat(m.mapsUid(1000)).isTrue();
        assertThat(m.mapsGid(65536)).isTrue();
        assertThat(m.mapsUid(65537)).isFalse();
    }

    @Test
    void initial_isTheIdentityOverAllIds() {
        IdMapping.Range all = new IdMapping.Range(0, 0, 4294967295L);
        assertThat(new IdMapping(List.of(all), List.of(all), true).isInitial()).isTrue();
    }

    @Test
    void current_readsThisProcess() {
        IdMapping m = IdMapping.current();
        assertThat(m.uids()).isNotEmpty();
        assertThat(m.mapsUid(dev.kiln.runtime.linux.Syscalls.geteuid())).isTrue();
    }
}
