package dev.tierscope.sdk.spring;

import dev.tierscope.sdk.Tierscope;
import dev.tierscope.sdk.TrafficClass;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.util.List;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small Spring Boot chat service for {@link StarterIngestIT}: Spring Boot's OpenTelemetry
 * support, Spring AI's {@link ChatClient} over a local model that answers at once, and the starter.
 * {@code /chat} tags the request with one line; {@code /batch} does not. Both answer with the trace
 * id.
 */
@SpringBootApplication
class ChatTestApp {

  /** A model that answers every prompt at once (the test is about telemetry, not the model). */
  @Bean
  ChatModel echoModel() {
    return new ChatModel() {
      @Override
      public ChatResponse call(Prompt prompt) {
        return new ChatResponse(
            List.of(new Generation(new AssistantMessage("you asked: " + prompt.getContents()))));
      }
    };
  }

  @Bean
  ChatClient chatClient(ChatModel model, ObservationRegistry observations) {
    return ChatClient.create(model, observations);
  }

  @RestController
  static class ChatController {

    private final Tierscope tierscope;
    private final ChatClient chat;

    ChatController(Tierscope tierscope, ChatClient chat) {
      this.tierscope = tierscope;
      this.chat = chat;
    }

    @GetMapping("/chat")
    String chat(@RequestParam String q) {
      try (Scope tagged = tierscope.tag(TrafficClass.INTERACTIVE_PREMIUM, "support")) {
        chat.prompt().user(q).call().content();
        return Span.current().getSpanContext().getTraceId();
      }
    }

    @GetMapping("/batch")
    String batch(@RequestParam String q) {
      chat.prompt().user(q).call().content();
      return Span.current().getSpanContext().getTraceId();
    }
  }
}
