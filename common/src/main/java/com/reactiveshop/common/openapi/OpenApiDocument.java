package com.reactiveshop.common.openapi;

import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The API description: {@code openapi.yaml} at the repository root, put on the class path by the {@code common}
 * module's build (one file, no copies). A service serves the part for its own routes, the gateway all of it.
 */
public final class OpenApiDocument {

  /** The class path resource (the repository's {@code openapi.yaml}). */
  public static final String RESOURCE = "openapi.yaml";
  /** Routes every HTTP server of the project answers about itself. */
  private static final List<String> SHARED_PATHS = List.of("/health/live", "/health/ready", "/metrics",
      OpenApiRoutes.PATH);

  private OpenApiDocument() {
  }

  /** The whole description, parsed once per process. */
  public static JsonObject whole() {
    return Holder.WHOLE.copy();
  }

  /**
   * The description of a service's routes: the paths under {@code api} and the shared ones (health, metrics, this
   * document). {@code servers} is left out, so clients resolve paths against the server that answered.
   */
  public static JsonObject forApi(String api) {
    JsonObject document = whole();
    document.remove("servers");
    JsonObject paths = document.getJsonObject("paths");
    paths.fieldNames().removeIf(path -> !SHARED_PATHS.contains(path) && !path.equals(api)
        && !path.startsWith(api + "/"));
    return document;
  }

  /** The whole description as served: like {@link #forApi}, relative to the server that answered. */
  public static JsonObject served() {
    JsonObject document = whole();
    document.remove("servers");
    return document;
  }

  private static final class Holder {
    private static final JsonObject WHOLE = load();
  }

  private static JsonObject load() {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      // copy() turns the nested maps and lists into JsonObjects and JsonArrays.
      return new JsonObject(yaml).copy();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + RESOURCE, e);
    }
  }
}
