package dev.tierscope.api.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's header; springdoc derives the paths and schemas from the controllers. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  @Bean
  OpenAPI tierscopeOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Tierscope API")
                .version("v1")
                .description(
                    "SLOs per traffic class from exactly merged HdrHistograms: SLIs over a range,"
                        + " series per step, error budgets and multi-window burn-rate alerts,"
                        + " tier attribution (edge, mesh, model) and token demand. Times are"
                        + " ISO-8601 instants or epoch milliseconds; errors are"
                        + " application/problem+json naming the parameter.")
                .license(new License().name("Apache-2.0")));
  }
}
