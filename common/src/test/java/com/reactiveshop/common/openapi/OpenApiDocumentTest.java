package com.reactiveshop.common.openapi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * openapi.yaml is a valid OpenAPI 3.1 description (checked by vertx-openapi against the specification's schema), and
 * each service's part holds its own routes and the shared ones. Real answers are checked against it by the launcher's
 * OpenApiConformanceIT.
 */
class OpenApiDocumentTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void theWholeDescriptionIsAValidOpenApi31Contract() throws Exception {
    OpenAPIContract contract = await(OpenAPIContract.from(vertx, OpenApiDocument.whole()));
    assertEquals(OpenAPIVersion.V3_1, contract.getVersion());
    Set<String> ids = new TreeSet<>();
    for (Operation operation : contract.operations()) {
      assertNotNull(operation.getOperationId(), operation.getOpenAPIPath() + " has an operationId");
      assertFalse(operation.getDefaultResponse() != null, "no catch-all response on " + operation.getOperationId());
      ids.add(operation.getOperationId());
    }
    assertEquals(new TreeSet<>(List.of("createUser", "listUsers", "getUser", "replaceUser", "deleteUser",
        "createProduct", "listProducts", "getProduct", "replaceProduct", "deleteProduct", "placeOrder", "listOrders",
        "getOrder", "cancelOrder", "listServices", "live", "ready", "metrics", "openApi")), ids);
  }

  @Test
  void aServiceDescribesItsOwnRoutesAndTheSharedOnes() throws Exception {
    JsonObject users = OpenApiDocument.forApi("/api/users");
    assertEquals(new TreeSet<>(List.of("/api/users", "/api/users/{id}", "/health/live", "/health/ready", "/metrics",
        "/openapi.json")), new TreeSet<>(users.getJsonObject("paths").fieldNames()));
    assertFalse(users.containsKey("servers"), "paths resolve against the server that answered");
    await(OpenAPIContract.from(vertx, users));

    Set<String> orders = new TreeSet<>(OpenApiDocument.forApi("/api/orders").getJsonObject("paths").fieldNames());
    assertEquals(new TreeSet<>(List.of("/api/orders", "/api/orders/{id}", "/api/orders/{id}/cancel", "/health/live",
        "/health/ready", "/metrics", "/openapi.json")), orders);
    assertEquals(OpenApiDocument.whole().getJsonObject("paths").fieldNames(),
        OpenApiDocument.served().getJsonObject("paths").fieldNames());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
