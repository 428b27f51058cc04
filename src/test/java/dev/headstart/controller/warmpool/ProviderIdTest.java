package dev.headstart.controller.warmpool;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderIdTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(nullValues = "NONE", value = {
            "aws:///us-east-1a/i-0123456789abcdef0, i-0123456789abcdef0",
            "aws:///eu-west-1c/i-0abc1234, i-0abc1234",
            "aws://us-east-1a/i-0123456789abcdef0, i-0123456789abcdef0",
            "aws:///us-east-1a/fargate-ip-10-0-1-2.ec2.internal, NONE",
            "gce://project/zone/instance-1, NONE",
            "aws:///us-east-1a/, NONE",
            "aws:///us-east-1a/i-XYZ, NONE",
            "aws:///us-east-1a/i-0123456789abcdef0/extra, NONE",
            "i-0123456789abcdef0, NONE",
            "'', NONE",
            "NONE, NONE",
    })
    void parsesInstanceIds(String providerId, String expected) {
        assertThat(ProviderId.instanceId(providerId)).isEqualTo(Optional.ofNullable(expected));
    }
}
