package com.reactiveshop.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;

import static com.reactiveshop.testing.Await.await;

/**
 * Checks real HTTP answers against an OpenAPI 3.1 description with vertx-openapi's {@link ResponseValidator}: the
 * operation is found from the request's method and path, then the status must be one it documents and the declared
 * headers, the content type and the body must match. Remembers which documented answers were seen, so a suite can
 * require every operation and show the answers it could not provoke.
 */
public final class OpenApiConformance {

  private final OpenAPIContract contract;
  private final ResponseValidator validator;
  private final Set<String> seen = new ConcurrentSkipListSet<>();

  private OpenApiConformance(OpenAPIContract contract, ResponseValidator validator) {
    this.contract = contract;
    this.validator = validator;
  }

  /** Reads and checks the description (vertx-openapi validates it against the OpenAPI schema first). */
  public static OpenApiConformance load(Vertx vertx, Path file) {
    OpenAPIContract contract = await(OpenAPIContract.from(vertx, file.toAbsolutePath().toString()));
    return new OpenApiConformance(contract, ResponseValidator.create(vertx, contract));
  }

  /** The answer to {@code method pathAndQuery} matches the operation the description gives for it. */
  public void check(HttpMethod method, String pathAndQuery, HttpResponse<Buffer> response) {
    String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
    Operation operation = contract.findOperation(path, method);
    String what = method + " " + pathAndQuery + " -> " + response.statusCode();
    if (operation == null) {
      throw new AssertionError(what + ": the description has no operation for this route");
    }
    String operationId = operation.getOperationId();
    boolean documentsBody = operation.getResponse(response.statusCode()) != null
        && !operation.getResponse(response.statusCode()).getContent().isEmpty();
    if (!documentsBody && response.body() != null && response.body().length() > 0) {
      throw new AssertionError(what + " (" + operationId + "): a body where the description has none: "
          + response.bodyAsString());
    }
    try {
      await(validator.validate(validatable(response), operationId));
    } catch (RuntimeException e) {
      throw new AssertionError(what + " (" + operationId + ") does not match the description: " + reason(e)
          + "\nheaders: " + response.headers().entries() + "\nbody: " + response.bodyAsString(), e);
    }
    seen.add(operationId + " " + response.statusCode());
  }

  /**
   * An answer to a request that matches no operation (an unknown path, or a known path with another method) matches
   * the shared response {@code componentsResponse} (such as {@code NotFound}): its required headers and its body
   * schema, checked by the contract's schema repository.
   */
  public void checkUnrouted(String componentsResponse, int expectedStatus, HttpResponse<Buffer> response) {
    String what = componentsResponse + " answer " + response.statusCode() + " " + response.bodyAsString();
    if (response.statusCode() != expectedStatus) {
      throw new AssertionError(what + ": expected status " + expectedStatus);
    }
    JsonObject described = contract.getRawContract().getJsonObject("components").getJsonObject("responses")
        .getJsonObject(componentsResponse);
    JsonObject headers = described.getJsonObject("headers", new JsonObject());
    for (String name : headers.fieldNames()) {
      // The resolved contract carries the resolver's own annotations (__absolute_uri__, ...) beside the headers.
      if (!name.startsWith("__") && headers.getJsonObject(name).getBoolean("required", false) && response.getHeader(name) == null) {
        throw new AssertionError(what + ": missing header " + name);
      }
    }
    String contentType = essence(response.getHeader("Content-Type"));
    JsonObject media = described.getJsonObject("content").getJsonObject(contentType);
    if (media == null) {
      throw new AssertionError(what + ": content type " + contentType + " is not described");
    }
    OutputUnit result = contract.getSchemaRepository().validator(JsonSchema.of(media.getJsonObject("schema")))
        .validate(response.bodyAsJsonObject());
    if (!Boolean.TRUE.equals(result.getValid())) {
      throw new AssertionError(what + ": " + result.toJson().encode());
    }
  }

  /** Every operation id of the description. */
  public Set<String> operationIds() {
    Set<String> ids = new TreeSet<>();
    contract.operations().forEach(operation -> ids.add(operation.getOperationId()));
    return ids;
  }

  /** The operations at least one checked answer belonged to. */
  public Set<String> checkedOperations() {
    Set<String> ids = new TreeSet<>();
    seen.forEach(entry -> ids.add(entry.substring(0, entry.indexOf(' '))));
    return ids;
  }

  /** Documented {@code operationId status} pairs that no checked answer had. */
  public List<String> unseenAnswers() {
    List<String> unseen = new ArrayList<>();
    for (Operation operation : contract.operations()) {
      JsonObject responses = operation.getOpenAPIModel().getJsonObject("responses");
      for (String status : responses.fieldNames()) {
        if (status.startsWith("__")) {
          continue; // the resolver's own annotations
        }
        String key = operation.getOperationId() + " " + status;
        if (!seen.contains(key)) {
          unseen.add(key);
        }
      }
    }
    return unseen;
  }

  private static ValidatableResponse validatable(HttpResponse<Buffer> response) {
    Map<String, String> headers = new HashMap<>();
    response.headers().forEach((name, value) -> headers.putIfAbsent(name.toLowerCase(Locale.ROOT), value));
    Buffer body = response.body();
    if (body == null || body.length() == 0) {
      return ValidatableResponse.create(response.statusCode(), headers);
    }
    String contentType = response.getHeader("Content-Type");
    // Media type keys of a description name the type without parameters (RFC 9110 §8.3.1); vertx-openapi looks the
    // key up as written, so the parameters (charset, version) are left out here.
    return ValidatableResponse.create(response.statusCode(), headers, body,
        contentType == null ? "application/octet-stream" : essence(contentType));
  }

  private static String essence(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static String reason(Throwable e) {
    String message = String.valueOf(e.getMessage());
    if (e.getCause() instanceof JsonSchemaValidationException invalid) {
      message += " (" + invalid.getMessage() + " at " + invalid.location() + ")";
    }
    return message;
  }

}
