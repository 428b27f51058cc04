package dev.headstart.admission;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryBudgetTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void limitsFollowTheHeap() {
        MemoryBudget small = new MemoryBudget(128 * MIB, 4);
        assertThat(small.maxBody()).isEqualTo(4 * MIB);
        assertThat(small.inFlightLimit()).isEqualTo(32 * MIB);
        assertThat(small.maxTokens()).isEqualTo(20_971);
        MemoryBudget image = new MemoryBudget(307 * MIB, 2);
        assertThat(image.maxTokens()).isEqualTo(307 * MIB / 4 / 2 / MemoryBudget.WORST_BYTES_PER_TOKEN);
        MemoryBudget tiny = new MemoryBudget(32 * MIB, 4);
        assertThat(tiny.maxBody()).isEqualTo(2 * MIB);
        assertThat(tiny.maxTokens()).isEqualTo(20_000);
    }

    @Test
    void largeBodiesLeaveAQuarterForSmallOnes() {
        MemoryBudget budget = new MemoryBudget(128 * MIB, 4);
        long large = 4 * MIB;
        int taken = 0;
        while (budget.tryReserve(MIB, large)) {
            taken++;
        }
        assertThat(taken).isEqualTo(24);
        assertThat(budget.tryReserve(MIB, 10_000)).as("a small review still fits").isTrue();
        budget.release(25 * MIB);
        assertThat(budget.inFlight()).isZero();
    }

    @Test
    void tokenLimitMakesAnExpensiveTreeOversizedWithItsUid() {
        MemoryBudget budget = new MemoryBudget(128 * MIB, 4);
        byte[] body = ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-1\","
                + "\"object\":{\"a\":[" + "{},".repeat(30_000) + "{}]}}}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> AdmissionReviewCodec.decode(body, 0, body.length, budget.reviewMapper()))
                .isInstanceOf(OversizedReviewException.class)
                .hasMessage("review too large to evaluate: token count over this server's limit")
                .satisfies(e -> assertThat(((OversizedReviewException) e).uid()).isEqualTo("u-1"));
    }

    @Test
    void aLongNumberIsMalformedNotOversized() {
        MemoryBudget budget = new MemoryBudget(128 * MIB, 4);
        byte[] body = ("{\"request\":{\"uid\":\"u\",\"x\":" + "9".repeat(2_000) + "}}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> AdmissionReviewCodec.decode(body, 0, body.length, budget.reviewMapper()))
                .isExactlyInstanceOf(InvalidReviewException.class);
    }

    @Test
    void uidIsFoundInAPrefixAndNowhereElse() {
        byte[] review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"kind\":{\"kind\":\"Pod\"},\"uid\":\"abc\",\"object\":{\"x\":[1,2"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(ReviewUid.find(review, 0, review.length)).isEqualTo("abc");
        byte[] cut = "{\"request\":{\"ui".getBytes(StandardCharsets.UTF_8);
        assertThat(ReviewUid.find(cut, 0, cut.length)).isNull();
        for (String notOne : new String[] {"[1]", "{\"uid\":\"top\"}", "{\"request\":{\"uid\":7}}", "{\"request\":{\"uid\":\"\"}}",
                "{\"request\":\"uid\"}", "{\"object\":{\"request\":{\"uid\":\"nested\"}}}", "\u0000\u0001garbage"}) {
            byte[] bytes = notOne.getBytes(StandardCharsets.UTF_8);
            assertThat(ReviewUid.find(bytes, 0, bytes.length)).as(notOne).isNull();
        }
    }

    @Test
    void onlyJsonContentTypes() {
        assertThat(ReviewEndpoint.isJson("application/json")).isTrue();
        assertThat(ReviewEndpoint.isJson("Application/JSON; charset=utf-8")).isTrue();
        for (String other : new String[] {null, "", "text/plain", "application/json-patch+json", "application/yaml",
                "application/jsonx", "multipart/form-data"}) {
            assertThat(ReviewEndpoint.isJson(other)).as(String.valueOf(other)).isFalse();
        }
    }

    @Test
    void logBudgetLetsFiveLinesAMinuteThroughAndCountsTheRest() {
        LogBudget log = new LogBudget(5, 60_000_000_000L);
        long now = 1_000_000_000_000L;
        for (int i = 0; i < 5; i++) {
            assertThat(log.admit(now + i)).isZero();
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(log.admit(now + 10 + i)).isEqualTo(-1);
        }
        assertThat(log.admit(now + 60_000_000_000L)).as("next window reports what was left out").isEqualTo(1_000);
    }

}
